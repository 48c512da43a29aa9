// An interactive 3D view of one sample on the model's grid (any D×H×W, cubic or not): one cube per non-empty voxel,
// coloured by voxel-layout.ts, inside the grid's bounding box, orbited with the mouse.
import type { RawVoxels } from '@conv3d/core';
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
import { type GridShape, voxelLayout } from './voxel-layout.js';

export interface VoxelView {
  show(values: RawVoxels, shape: GridShape): void;
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
  const bounds = new Box3();
  scene.add(new Box3Helper(bounds, 0x6b5a4a));

  const camera = new PerspectiveCamera(40, 1, 0.1, 1000);
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
  let mesh: InstancedMesh | null = null;
  let framed = '';
  const matrix = new Matrix4();
  const color = new Color();

  return {
    show(values, shape) {
      const [d, h, w] = shape.grid;
      const key = shape.grid.join('x');
      if (key !== framed) {
        // A new grid: resize the box and the instance buffer, and move the camera to frame it.
        framed = key;
        bounds.set(new Vector3(-w / 2, -h / 2, -d / 2), new Vector3(w / 2, h / 2, d / 2));
        if (mesh) {
          scene.remove(mesh);
          mesh.dispose();
        }
        mesh = new InstancedMesh(geometry, material, d * h * w);
        scene.add(mesh);
        const size = Math.max(d, h, w);
        camera.position.set(1.25 * size, 0.875 * size, 1.875 * size);
        controls.target.set(0, 0, 0);
        controls.update();
      }
      const target = mesh as InstancedMesh;
      const layout = voxelLayout(values, shape);
      for (let n = 0; n < layout.count; n++) {
        const p = layout.positions;
        matrix.makeTranslation(p[n * 3] as number, p[n * 3 + 1] as number, p[n * 3 + 2] as number);
        target.setMatrixAt(n, matrix);
        const c = layout.colors;
        target.setColorAt(
          n,
          color.setRGB(c[n * 3] as number, c[n * 3 + 1] as number, c[n * 3 + 2] as number),
        );
      }
      target.count = layout.count;
      target.instanceMatrix.needsUpdate = true;
      if (target.instanceColor) target.instanceColor.needsUpdate = true;
      render();
    },
  };
}
