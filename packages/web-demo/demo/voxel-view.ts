// An interactive 3D view of one 16³ sample: one cube per non-empty voxel, coloured as the model sees it
// (the shared Oranges preprocessing), orbited with the mouse.
import { orangesRgb, type RawVoxels, SEED_CONTRACT } from '@conv3d/core';
import {
  AmbientLight,
  Box3,
  Box3Helper,
  BoxGeometry,
  Color,
  DirectionalLight,
  InstancedMesh,
  Matrix4,
  MeshLambertMaterial,
  PerspectiveCamera,
  Scene,
  Vector3,
  WebGLRenderer,
} from 'three';
import { OrbitControls } from 'three/addons/controls/OrbitControls.js';

// The demo shows 3D MNIST samples: the seed's 16³ grid and its Oranges colours.
const GRID = SEED_CONTRACT.grid[0];
const VOXELS = SEED_CONTRACT.voxels;

export interface VoxelView {
  show(values: RawVoxels): void;
}

export function createVoxelView(container: HTMLElement): VoxelView {
  let renderer: WebGLRenderer;
  try {
    renderer = new WebGLRenderer({ antialias: true, preserveDrawingBuffer: true });
  } catch (err) {
    container.innerHTML = '';
    const message = document.createElement('p');
    message.textContent = `The 3D view needs WebGL, which is unavailable here (${(err as Error).message}).`;
    container.append(message);
    return { show: () => undefined };
  }
  renderer.setPixelRatio(window.devicePixelRatio);
  container.append(renderer.domElement);

  const scene = new Scene();
  scene.background = new Color(0x1d1a17);
  scene.add(new AmbientLight(0xffffff, 1.6));
  const sun = new DirectionalLight(0xffffff, 2.2);
  sun.position.set(20, 30, 25);
  scene.add(sun);
  const half = GRID / 2;
  scene.add(
    new Box3Helper(new Box3(new Vector3(-half, -half, -half), new Vector3(half, half, half)), 0x6b5a4a),
  );

  const camera = new PerspectiveCamera(40, 1, 0.1, 200);
  camera.position.set(20, 14, 30);
  const controls = new OrbitControls(camera, renderer.domElement);
  const render = (): void => renderer.render(scene, camera);
  controls.addEventListener('change', render);

  const resize = (): void => {
    const { clientWidth: w, clientHeight: h } = container;
    if (w === 0 || h === 0) return;
    renderer.setSize(w, h);
    camera.aspect = w / h;
    camera.updateProjectionMatrix();
    render();
  };
  new ResizeObserver(resize).observe(container);

  const geometry = new BoxGeometry(0.92, 0.92, 0.92);
  const material = new MeshLambertMaterial();
  const mesh = new InstancedMesh(geometry, material, VOXELS);
  mesh.count = 0;
  scene.add(mesh);
  const rgb = new Float32Array(VOXELS * 3);
  const matrix = new Matrix4();
  const color = new Color();

  return {
    show(values) {
      orangesRgb.apply(values, 0, VOXELS, 1, rgb, 0);
      let n = 0;
      for (let i = 0; i < VOXELS; i++) {
        if (!((values[i] as number) > 0)) continue;
        // Raw index = x + 16·y + 256·z; y is drawn upwards.
        const x = i % GRID;
        const y = Math.floor(i / GRID) % GRID;
        const z = Math.floor(i / (GRID * GRID));
        matrix.makeTranslation(x - half + 0.5, y - half + 0.5, z - half + 0.5);
        mesh.setMatrixAt(n, matrix);
        mesh.setColorAt(
          n,
          color.setRGB(rgb[i * 3] as number, rgb[i * 3 + 1] as number, rgb[i * 3 + 2] as number),
        );
        n++;
      }
      mesh.count = n;
      mesh.instanceMatrix.needsUpdate = true;
      if (mesh.instanceColor) mesh.instanceColor.needsUpdate = true;
      render();
    },
  };
}
